"""What the pages draw, nothing computed: what every page shares here, one room per page."""
