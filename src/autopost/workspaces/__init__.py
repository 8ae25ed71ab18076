"""Workspaces: whose data it is (an agency's client, a brand), who belongs to it and with which role."""
