// Draws every chart on the page: an element with data-chart="URL" gets the Plotly figure at URL.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-chart]").forEach(async (el) => {
    const response = await fetch(el.dataset.chart, { headers: { Accept: "application/json" } });
    if (!response.ok) { el.textContent = "Chart unavailable (" + response.status + ")"; return; }
    const figure = await response.json();
    await Plotly.newPlot(el, figure.data, figure.layout, { displaylogo: false, responsive: true });
    el.dataset.rendered = "true";
  });
});
