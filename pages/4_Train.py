"""Learn from data: train the sidebar's network on a data set with mini-batch SGD, watch
the decision boundary move, see one mini-batch's gradient as the mean of its examples',
and step through any point."""

from explorer import frame
from explorer.train import view


@frame.page("Train")
def body():
    view.page()


body()
