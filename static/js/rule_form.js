// The rule form without page reloads: add and remove condition/action rows, show only the
// inputs an action uses, and offer only the operators that fit a field. Without this file the
// form still works: "Add a condition" reloads with a spare row and "Remove" is a checkbox.
(function () {
  "use strict";

  const form = document.getElementById("rule-form");
  if (!form) {
    return;
  }
  const actionParams = JSON.parse(form.dataset.actionParams || "{}");
  const actionKinds = JSON.parse(form.dataset.actionKinds || "{}");
  const fieldOperators = JSON.parse(form.dataset.fieldOperators || "{}");
  const kindSelect = form.querySelector("select[name='kind']");
  const scopeSelect = form.querySelector("select[name='scope']");

  // Channel and reseller only matter for channel and reseller rules.
  function showScopeTarget() {
    if (!scopeSelect) {
      return;
    }
    ["channel", "reseller"].forEach((name) => {
      const field = form.querySelector(`[data-field="${name}"]`);
      if (field) {
        field.hidden = scopeSelect.value !== name;
      }
    });
  }

  // Offer only the actions that belong to the rule's kind (the server refuses the others).
  function offerActionsForKind(row) {
    const type = row.querySelector("select[name$='-type']");
    if (!type || !kindSelect) {
      return;
    }
    Array.from(type.options).forEach((option) => {
      const wrongKind = Boolean(option.value && actionKinds[option.value] !== kindSelect.value);
      option.hidden = wrongKind && !option.selected;
      option.disabled = option.hidden;
    });
  }

  function showActionInputs(row) {
    const type = row.querySelector("select[name$='-type']");
    if (!type) {
      return;
    }
    const used = actionParams[type.value] || ["amount", "label", "tiers"];
    row.querySelectorAll("[data-param]").forEach((cell) => {
      // The input and any visible label with it (the tax's "Tax shipping too" checkbox).
      cell.querySelectorAll("input, label:not(.visually-hidden)").forEach((element) => {
        element.hidden = !used.includes(cell.dataset.param);
      });
    });
  }

  function narrowOperators(row) {
    const field = row.querySelector("select[name$='-field']");
    const operator = row.querySelector("select[name$='-operator']");
    if (!field || !operator) {
      return;
    }
    const allowed = fieldOperators[field.value];
    Array.from(operator.options).forEach((option) => {
      option.hidden = Boolean(option.value && allowed && !allowed.includes(option.value));
      option.disabled = option.hidden;
    });
    if (operator.selectedOptions[0] && operator.selectedOptions[0].disabled) {
      operator.value = allowed ? allowed[0] : "";
    }
  }

  function enhanceRow(row) {
    const checkbox = row.querySelector("input[type=checkbox][name$='-DELETE']");
    if (checkbox && !row.querySelector("[data-remove-row]")) {
      const label = checkbox.closest("label");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary small";
      button.textContent = "Remove";
      button.dataset.removeRow = "";
      button.addEventListener("click", () => {
        checkbox.checked = true;
        row.hidden = true;
        const add = row.closest("fieldset").querySelector("[data-add-row]");
        if (add) {
          add.focus();
        }
      });
      // The checkbox stays in the form (it is what the server reads), just out of sight.
      label.classList.add("visually-hidden");
      label.after(button);
    }
    row.addEventListener("change", (event) => {
      if (event.target.name && event.target.name.endsWith("-type")) {
        showActionInputs(row);
      }
      if (event.target.name && event.target.name.endsWith("-field")) {
        narrowOperators(row);
      }
    });
    showActionInputs(row);
    narrowOperators(row);
    offerActionsForKind(row);
  }

  form.querySelectorAll("[data-rows] [data-row]").forEach(enhanceRow);
  showScopeTarget();
  if (scopeSelect) {
    scopeSelect.addEventListener("change", showScopeTarget);
  }
  if (kindSelect) {
    kindSelect.addEventListener("change", () => {
      form.querySelectorAll("[data-rows='actions'] [data-row]").forEach(offerActionsForKind);
    });
  }

  form.querySelectorAll("[data-add-row]").forEach((button) => {
    button.addEventListener("click", (event) => {
      const prefix = button.dataset.addRow;
      const template = document.getElementById(`${prefix}-template`);
      const total = form.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
      const body = form.querySelector(`[data-rows="${prefix}"]`);
      if (!template || !total || !body) {
        return; // fall back to the server: the button submits and a row is added
      }
      event.preventDefault();
      const index = Number(total.value);
      const holder = document.createElement("tbody");
      holder.innerHTML = template.innerHTML.replaceAll("__prefix__", String(index));
      const row = holder.querySelector("[data-row]");
      const placeholder = body.querySelector("[data-empty-row]");
      if (placeholder) {
        placeholder.remove();
      }
      body.appendChild(row);
      total.value = String(index + 1);
      enhanceRow(row);
      const first = row.querySelector("select, input");
      if (first) {
        first.focus();
      }
    });
  });
})();
