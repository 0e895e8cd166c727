"""The figures: heatmap panels, the network figure, the Step page's chart (chart.js beside it)."""
