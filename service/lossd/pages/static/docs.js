// The docs explorer: Swagger UI over lossd's own OpenAPI document, nothing fetched from elsewhere.
(function () {
  "use strict";
  var openapi = document.currentScript.getAttribute("data-openapi");
  var COMPUTE = "/v1/losses/{name}";

  // A loss's example is offered twice for compute: for the body and for `name`. Choosing the body's
  // also chooses that loss for `name`, so that one choice runs that loss. (One way only: Swagger UI
  // re-announces a parameter's example as it renders, and two-way syncing would loop.)
  function SyncLossName(system) {
    return {
      statePlugins: {
        oas3: {
          wrapActions: {
            setActiveExamplesMember: function (original) {
              return function (args) {
                var result = original(args);
                var pathMethod = args.pathMethod || [];
                if (args.contextType === "requestBody" && pathMethod[0] === COMPUTE && pathMethod[1] === "post") {
                  system.oas3Actions.setActiveExamplesMember({
                    name: args.name, pathMethod: pathMethod, contextType: "parameters", contextName: "name-path",
                  });
                  system.specActions.changeParam(pathMethod, "name", "path", args.name, false);
                }
                return result;
              };
            },
          },
        },
      },
    };
  }

  window.ui = SwaggerUIBundle({
    url: openapi,
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [SyncLossName],
    validatorUrl: null,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
  });
})();
