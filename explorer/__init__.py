"""What the pages draw, between ``backprop`` and the pages: state, sidebar, figures, views."""
