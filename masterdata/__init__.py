"""Master data shared by every stage: families, products, sites, channels, suppliers, resources."""
