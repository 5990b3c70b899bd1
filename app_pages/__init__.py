"""Streamlit pages. Each page file is UI only: it reads figures from metrics/ and writes through loaders/."""
