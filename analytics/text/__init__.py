"""The product's words: UI strings in Japanese and English, region labels, and text made safe to show or
export. Imports only ``analytics.config``."""
