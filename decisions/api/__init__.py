"""Decisions' API v1: thin serializers and viewsets over `decisions.services`."""
