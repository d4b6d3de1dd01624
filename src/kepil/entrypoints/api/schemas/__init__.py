"""The API's response models (pydantic): what each endpoint answers, for clients and OpenAPI."""
