"""The web pages (Chinese UI): thin views over the services and selectors, beside the REST API in api/."""
