"""HTML pages (Jinja2) for applicants and staff, in Kyrgyz, Russian and English."""
