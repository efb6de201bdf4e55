"""Getting data out of a book and back in: files other programs (and people) can read.

Like models/, nothing here may import Qt, so exports run the same from the command
line, from tests and from the GUI.
"""
