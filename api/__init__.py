"""The REST API v1 (docs/api-contract.md): thin views over the same services as the web UI."""
