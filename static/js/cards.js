// Business cards on the capture screen: after the capture row is swapped in
// (a card loaded for checking, or a row saved), tell the card rows to refresh
// themselves, so a saved card leaves the list. No eval: htmx's trigger filters
// need it, and the page's CSP forbids it.
document.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail && event.detail.target;
  if (target && target.id === "capture-form") {
    document.body.dispatchEvent(new CustomEvent("cards-refresh"));
  }
});
