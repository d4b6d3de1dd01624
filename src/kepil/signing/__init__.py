"""EDS for the Kazakh NCA PKI: certificates, CMS signatures, trust and revocation."""
