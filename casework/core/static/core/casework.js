// Casework's own script. Pages carry no inline script or style (the Content Security Policy
// forbids both), so what they need beyond htmx is here, and everything works without it.
"use strict";

// Forms: after each live check, the server names the questions that are not relevant now
// (#form-state's data-hidden); hide those and show the others again.
function applyFormState() {
  const state = document.getElementById("form-state");
  if (!state) {
    return;
  }
  const hidden = new Set((state.dataset.hidden || "").split(" ").filter(Boolean));
  for (const element of document.querySelectorAll("[data-relevance]")) {
    element.hidden = hidden.has(element.id);
  }
}

document.addEventListener("DOMContentLoaded", applyFormState);
document.addEventListener("htmx:load", applyFormState);
document.addEventListener("htmx:oobAfterSwap", applyFormState);
