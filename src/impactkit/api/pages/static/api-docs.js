/* Starts Swagger UI on the API documentation page (kept out of the page: the CSP allows no inline script). */
(function () {
  var container = document.getElementById("swagger-container");
  if (!container || typeof SwaggerUIBundle === "undefined") return;
  SwaggerUIBundle({
    url: container.getAttribute("data-spec-url"),
    dom_id: "#swagger-container",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
