// "Copy" buttons for values shown once (a new API key). The button stays hidden without
// JavaScript or a clipboard; the value itself is always visible and selectable.
(() => {
  const announce = (button, text) => {
    const status = button.parentElement.querySelector("[data-copy-status]");
    if (status) {
      status.textContent = text;
    }
  };

  const selectContents = (element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  };

  const setUp = () => {
    document.querySelectorAll("[data-copy-target]").forEach((button) => {
      const target = document.getElementById(button.getAttribute("data-copy-target"));
      if (!target || !navigator.clipboard) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(target.textContent.trim());
          announce(button, "Copied to the clipboard.");
        } catch (error) {
          // Clipboard access can be refused (permissions, insecure origin): select the
          // text so the person can copy it by hand.
          selectContents(target);
          announce(button, "Copying was blocked; the key is selected, press Ctrl+C or ⌘C.");
        }
      });
    });
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
