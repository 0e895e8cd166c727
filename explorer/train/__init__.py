"""The Train page: its state and actions, data sets and uploads, and the figures of learning."""
