// GET /api/docs: Redoc (web/vendor/redoc/) draws the API reference from the OpenAPI document
// this server embeds. A classic script, run after the bundle (both `defer`, in order); the
// page's Content-Security-Policy forbids inline scripts, hence this file.
(function () {
  "use strict";
  // Redoc's side menu ends with a link to Redocly whose logo it loads from Redocly's site;
  // this page loads nothing from elsewhere (its policy would block it and log a violation),
  // so an image source on another origin becomes an empty picture before the browser sees
  // it. React sets an image's src both ways: the attribute and the property. The link and
  // its text stay.
  var EMPTY = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E";
  function local(value) {
    var text = String(value);
    return /^data:/i.test(text) || new URL(text, location.href).origin === location.origin
      ? value
      : EMPTY;
  }
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && String(name).toLowerCase() === "src")
      value = local(value);
    return setAttribute.call(this, name, value);
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: src.get,
    set: function (value) {
      src.set.call(this, local(value));
    },
  });

  var el = document.getElementById("redoc");
  var face = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  Redoc.init(
    "/api/v1/openapi.json",
    {
      // No fonts from elsewhere: the system's own faces.
      theme: {
        typography: {
          fontFamily: face,
          headings: { fontFamily: face },
          code: { fontFamily: "ui-monospace, 'DejaVu Sans Mono', monospace" },
        },
      },
      expandResponses: "200",
      jsonSampleExpandLevel: 3,
    },
    el,
    // The page's state, for people and tests: loading, then ready, or failed with the reason.
    function (error) {
      el.dataset.state = error ? "failed" : "ready";
      if (error) el.textContent = "The API reference could not be drawn: " + error;
    },
  );
})();
