#pragma once
// Small charts drawn with ImGui's draw list. The data are plain structs (no ImGui types) and the
// geometry is computed by pure functions, so tests check bar heights without drawing anything.

#include "app/ui.hpp"

#include <optional>
#include <string>
#include <vector>

namespace carnet::app {

/// One bar: a label under it, its value and an optional target drawn as a marker.
struct Bar {
    std::string label;
    double value = 0;
    std::optional<double> target;
};

/// A bar chart: bars share one vertical scale (values and targets).
struct BarChartData {
    std::string title;
    std::vector<Bar> bars;
    std::string targetLegend; ///< legend of the target markers ("" when no bar has a target)
};

/// One point of a line chart: x is the position (week index), the label is shown on the axis.
struct LinePoint {
    std::string label;
    double value = 0;
};

/// A line chart over ordered points.
struct LineChartData {
    std::string title, unit;
    std::vector<LinePoint> points;
};

/// A rectangle in chart-local pixels (origin top-left of the plot area).
struct ChartRect {
    float x = 0, y = 0, w = 0, h = 0;
};

/// Where each bar and target marker goes in a plot of `width` × `height` pixels.
struct BarLayout {
    double scaleMax = 0;                       ///< the value at the top of the plot
    std::vector<ChartRect> bars;               ///< one per bar
    std::vector<std::optional<float>> targetY; ///< y of each bar's target marker, when it has one
};

/// Lays out the bars: the tallest value or target reaches the top; zero values have no height.
[[nodiscard]] BarLayout layoutBars(const BarChartData& data, float width, float height);

/// Plot-local points of a line chart of `width` × `height` pixels (x evenly spaced, y from 0 to the max).
struct LineLayout {
    double scaleMax = 0;
    std::vector<std::pair<float, float>> points;
};
/// Lays out the points of a line chart.
[[nodiscard]] LineLayout layoutLine(const LineChartData& data, float width, float height);

/// Draws a bar chart `height` pixels high (at scale 1.0) across the available width.
void drawBarChart(const BarChartData& data, float height, DrawContext& ctx);
/// Draws a line chart `height` pixels high (at scale 1.0) across the available width.
void drawLineChart(const LineChartData& data, float height, DrawContext& ctx);

} // namespace carnet::app
