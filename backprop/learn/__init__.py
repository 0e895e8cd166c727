"""Learning from data: the data sets, mini-batch SGD, what training records."""
