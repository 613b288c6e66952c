/* Starts Swagger UI on /docs from the locally served bundle (no inline script, no CDN). */
(function () {
  "use strict";
  const node = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: node.dataset.specUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
