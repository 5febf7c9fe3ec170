"""Deployment helpers that run after ``sam deploy`` (``make deploy``)."""
