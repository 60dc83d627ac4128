"""Views of the contacts app, one module per screen: people (list and search),
person (card, edit, merge, end), capture (logging people at an event), events."""
