"""Web pages for cases and tasks (Chinese UI); each one calls the services and scoping selectors."""
