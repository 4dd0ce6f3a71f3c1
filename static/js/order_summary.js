// Order pad live summary: as the pad changes, POST it to the preview endpoint (which saves
// nothing and runs the same rules as placing) and show the prices, charges, tax and total,
// or every problem at once. Without JavaScript, the Review order button shows the same.
(() => {
  const form = document.getElementById("order-form");
  const box = document.querySelector("[data-live-summary]");
  const body = document.querySelector("[data-live-summary-body]");
  if (!form || !box || !body || !window.fetch || !window.FormData) {
    return;
  }
  const url = form.dataset.previewUrl;
  let timer = null;
  let latest = 0;

  const money = (value) =>
    Number(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  const element = (tag, text, className) => {
    const node = document.createElement(tag);
    if (text !== undefined) {
      node.textContent = text;
    }
    if (className) {
      node.className = className;
    }
    return node;
  };

  const table = (caption, headings, rows, numeric) => {
    const wrap = element("div", undefined, "table-wrap");
    const tableNode = element("table", undefined, "table compact");
    tableNode.appendChild(element("caption", caption, "visually-hidden"));
    const head = tableNode.createTHead().insertRow();
    headings.forEach((heading, index) => {
      const cell = element("th", heading, numeric.includes(index) ? "num" : "");
      cell.scope = "col";
      head.appendChild(cell);
    });
    const tbody = tableNode.createTBody();
    rows.forEach((cells) => {
      const row = tbody.insertRow();
      cells.forEach((text, index) => {
        row.appendChild(element("td", text, numeric.includes(index) ? "num" : ""));
      });
    });
    wrap.appendChild(tableNode);
    return wrap;
  };

  const showErrors = (errors) => {
    body.replaceChildren();
    const intro = errors.length === 1 ? "1 problem to fix" : `${errors.length} problems to fix`;
    body.appendChild(element("p", `${intro} before the order can be placed:`));
    const list = element("ul");
    errors.forEach((error) => {
      const item = element("li");
      if (error.anchor) {
        const link = element("a", error.message);
        link.href = `#${error.anchor}`;
        item.appendChild(link);
      } else {
        item.textContent = error.message;
      }
      list.appendChild(item);
    });
    body.appendChild(list);
  };

  const showQuote = (quote) => {
    body.replaceChildren();
    body.appendChild(
      table(
        "Lines",
        ["SKU", "Quantity", "Unit price", "Line total"],
        quote.lines.map((line) => [line.sku, String(line.quantity), money(line.unit_price), money(line.line_total)]),
        [1, 2, 3],
      ),
    );
    if (quote.charges.length) {
      body.appendChild(
        table(
          "Charges and credits",
          ["Charge or credit", "Amount"],
          quote.charges.map((charge) => [charge.label, money(charge.amount)]),
          [1],
        ),
      );
    }
    const totals = quote.totals.map((row) => [row.label, money(row.amount)]);
    totals[totals.length - 1][1] += ` ${quote.currency}`;
    body.appendChild(table("Totals", ["", "Amount"], totals, [1]));
    if (quote.tax_exemption) {
      body.appendChild(element("p", `No tax charged: ${quote.tax_exemption}`));
    }
    if (quote.due_date) {
      body.appendChild(element("p", `Due ${quote.due_date}.`, "muted small"));
    }
  };

  const refresh = async () => {
    const request = ++latest;
    const data = new FormData(form);
    data.delete("action");
    try {
      const response = await fetch(url, {
        method: "POST",
        body: data,
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      });
      const answer = await response.json();
      if (request !== latest) {
        return; // a newer edit's answer is on its way
      }
      box.hidden = false;
      if (answer.ok) {
        showQuote(answer);
      } else {
        showErrors(answer.errors);
      }
    } catch (error) {
      if (request === latest) {
        box.hidden = false;
        body.replaceChildren(element("p", "The summary could not be updated; Review order still works.", "muted"));
      }
    }
  };

  const schedule = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 500);
  };
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  // A pad that comes back filled in (Edit order, or a refused order) gets its summary at once.
  if ([...form.querySelectorAll("input[name$='-sku']")].some((input) => input.value.trim())) {
    refresh();
  }
})();
