// The API documentation (/-/docs): Swagger UI, from the vendored bundle, over this server's
// OpenAPI description. Nothing is requested from another host: no validator badge, no spec
// named by the address (?url=), "Try it out" sends its requests to this server.
(function () {
  "use strict";
  const root = document.getElementById("swagger-ui");
  if (!root || !window.SwaggerUIBundle) return;
  window.qpvkgDocs = window.SwaggerUIBundle({
    url: root.dataset.url,
    domNode: root,
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
    deepLinking: true,
    queryConfigEnabled: false,
    validatorUrl: null,
    showExtensions: true,
    showCommonExtensions: true,
  });
})();
