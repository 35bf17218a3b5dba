"""The agent-based model of how an estate fills (Mesa). Built in the simulation issue."""
