"""Fixed reference data of the demo company (names, sites, channels, resources, suppliers)."""

from __future__ import annotations

FAMILIES: tuple[tuple[str, str, float], ...] = (
    # code, name, seasonal amplitude (share of level; summer peak > 0, winter peak < 0)
    ("BEV", "Beverages", 0.35),
    ("SNK", "Snacks", 0.10),
    ("DAI", "Dairy", 0.08),
    ("FRZ", "Frozen foods", 0.25),
    ("PCR", "Personal care", 0.05),
    ("HHC", "Household cleaning", 0.06),
    ("BAB", "Baby care", 0.03),
    ("PET", "Pet food", 0.04),
    ("HLT", "Health & wellness", -0.30),
    ("SEA", "Seasonal & gifting", -0.60),
)

SITES = (("F1", "Lyon factory", "factory"), ("DC1", "Rotterdam distribution centre", "warehouse"))

CHANNELS = (
    ("RETAIL", "Retail chains", 1),
    ("ECOM", "E-commerce", 2),
    ("WHOLESALE", "Wholesale distributors", 2),
    ("EXPORT", "Export partners", 3),
)

RESOURCES = (
    # code, name, kind, overtime hours/month, overtime cost/hour
    ("F1-FILL1", "Filling line 1", "line", 60, 85),
    ("F1-FILL2", "Filling line 2", "line", 60, 85),
    ("F1-MIX", "Mixing", "work_centre", 40, 70),
    ("F1-PACK", "Packing", "work_centre", 80, 55),
    ("F1-BLEND", "Blending", "work_centre", 30, 90),
)
PRIMARY_LINES = ("F1-FILL1", "F1-FILL2", "F1-MIX", "F1-BLEND")

SUPPLIERS = (
    # code, name, country, ocean days (0 = none), air days, road days (0 = none)
    ("SUP-CN1", "Shenzhen Packaging Co.", "China", 42, 9, 0),
    ("SUP-VN", "Saigon Consumer Goods", "Vietnam", 38, 8, 0),
    ("SUP-IN", "Mumbai Health Products", "India", 30, 7, 0),
    ("SUP-PL", "Poznan Foods", "Poland", 0, 0, 6),
    ("SUP-DE", "Hamburg Household GmbH", "Germany", 0, 0, 4),
    ("SUP-TR", "Izmir Textiles & Gifts", "Turkey", 18, 5, 9),
)

PRODUCT_WORDS = {
    "BEV": ("Sparkling water", "Cola", "Iced tea", "Orange juice", "Energy drink", "Lemonade"),
    "SNK": ("Potato chips", "Pretzels", "Granola bar", "Popcorn", "Crackers", "Nut mix"),
    "DAI": ("Yoghurt", "Butter", "Cheddar", "Cream", "Kefir", "Milk drink"),
    "FRZ": ("Ice cream", "Pizza", "Vegetables", "Fish fingers", "Sorbet", "Dumplings"),
    "PCR": ("Shampoo", "Shower gel", "Toothpaste", "Deodorant", "Hand cream", "Razor"),
    "HHC": ("Dish soap", "Laundry pods", "Surface spray", "Bleach", "Sponges", "Bin bags"),
    "BAB": ("Nappies", "Baby wipes", "Baby food", "Formula", "Baby lotion", "Bibs"),
    "PET": ("Dry dog food", "Cat food", "Dog treats", "Cat litter", "Bird seed", "Chews"),
    "HLT": (
        "Vitamin C",
        "Cough syrup",
        "Zinc tablets",
        "Throat lozenges",
        "Multivitamin",
        "Tissues",
    ),
    "SEA": (
        "Gift box",
        "Advent calendar",
        "Chocolate tin",
        "Candle set",
        "Wrapping paper",
        "Cards",
    ),
}
SIZES = ("250 ml", "500 ml", "1 l", "6-pack", "12-pack", "small", "large", "family size")
