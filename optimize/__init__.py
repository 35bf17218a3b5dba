"""The PuLP models: community split, sizing, facilities, budget, verifier. Built in the optimizer issue."""
