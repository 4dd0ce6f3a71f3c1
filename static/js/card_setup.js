// Add card: Stripe.js's Card Element confirms a SetupIntent in the browser (the card never
// reaches our server), then the form posts only the SetupIntent id, which the server checks.
(function () {
  "use strict";
  const form = document.getElementById("card-form");
  if (!form || typeof window.Stripe !== "function") {
    const errors = document.getElementById("card-errors");
    if (errors) errors.textContent = "The card form could not be loaded. Reload the page to try again.";
    return;
  }
  const stripe = window.Stripe(form.dataset.publishableKey);
  const card = stripe.elements().create("card");
  card.mount("#card-element");
  const errors = document.getElementById("card-errors");
  const button = document.getElementById("save-card");
  form.addEventListener("submit", async function (event) {
    if (document.getElementById("setup-intent").value) return;
    event.preventDefault();
    errors.textContent = "";
    button.disabled = true;
    const result = await stripe.confirmCardSetup(form.dataset.clientSecret, {
      payment_method: { card: card },
    });
    if (result.error) {
      errors.textContent = result.error.message || "The card could not be saved.";
      button.disabled = false;
      return;
    }
    document.getElementById("setup-intent").value = result.setupIntent.id;
    form.submit();
  });
})();
