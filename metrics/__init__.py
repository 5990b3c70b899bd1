"""Read-only figures over the warehouse. Nothing here writes, and nothing here imports streamlit."""
