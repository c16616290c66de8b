console.log("http_fixture asset");
