"""What every app may import and that imports no app: Chinese formatting (and, later, the service errors)."""
