"""Result documents as bilingual PDF/A-3b files that carry their signed original and its CMS."""
