"""The REST API v1 (../shared/API.md): thin views over the same services as the web UI."""
