"""The demo content of `stoa demo`: data files under data/, and the code that writes them
through the apps' services. On top of the layers: it may import every app, and no app
imports it, so the apps hold only the product."""
