"""The pages, one file each, run only through app.py's st.navigation (a folder named pages/ would also be listed
by Streamlit itself). A page is UI only: it reads figures from metrics/ and writes through loaders/. The parts
pages share are in ui/."""
