"""Practice mode on the Step page: which cell is asked, what stays hidden, the score, its panel."""
