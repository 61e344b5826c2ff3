"""Users' SIOP roles, product-family scoping and the server-side permission matrix."""
