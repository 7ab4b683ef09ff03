package io.connectx.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Debian's nginx with {@code listen ... fastopen=256} over plain HTTP and over HTTPS, with a certificate
 * made for the run by openssl; {@code GET /x} answers {@code nginx /x}. {@link #trustStore} holds that
 * certificate for Java clients ({@code -Djavax.net.ssl.trustStore}).
 */
final class NginxServer extends LocalServer {
    static final Path BINARY = Path.of("/usr/sbin/nginx");
    static final String TRUST_PASSWORD = "connectx";
    final int httpPort;
    final int httpsPort;
    final Path trustStore;

    private NginxServer(String host, int httpPort, int httpsPort) throws IOException {
        super(host, "connectx-nginx");
        this.httpPort = httpPort;
        this.httpsPort = httpsPort;
        this.trustStore = dir.resolve("trust.p12");
    }

    static NginxServer start(String host, int httpPort, int httpsPort) throws IOException, InterruptedException {
        requireInstalled(BINARY, "nginx");
        NginxServer nginx = new NginxServer(host, httpPort, httpsPort);
        Path cert = nginx.dir.resolve("cert.pem");
        Path key = nginx.dir.resolve("key.pem");
        run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=connectx-test",
                "-addext", "subjectAltName=IP:" + host));
        run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert", "-noprompt",
                "-alias", "nginx", "-file", cert.toString(), "-keystore", nginx.trustStore.toString(),
                "-storetype", "PKCS12", "-storepass", TRUST_PASSWORD));
        Path log = nginx.dir.resolve("error.log");
        Path conf = nginx.dir.resolve("nginx.conf");
        Files.writeString(conf, String.join("\n",
                "daemon off;",
                "user root;",
                "worker_processes 1;",
                "pid " + nginx.dir.resolve("nginx.pid") + ";",
                "error_log " + log + ";",
                "events { worker_connections 64; }",
                "http {",
                "  access_log off;",
                "  client_body_temp_path " + nginx.dir.resolve("body") + ";",
                "  server {",
                "    listen " + host + ":" + httpPort + " fastopen=256;",
                "    listen " + host + ":" + httpsPort + " ssl fastopen=256;",
                "    ssl_certificate " + cert + ";",
                "    ssl_certificate_key " + key + ";",
                "    location / { default_type text/plain; return 200 \"nginx $uri\"; }",
                "  }",
                "}", ""));
        nginx.process = new ProcessBuilder(BINARY.toString(), "-p", nginx.dir.toString(), "-e", log.toString(),
                "-c", conf.toString()).redirectErrorStream(true).redirectOutput(nginx.dir.resolve("stdout.log").toFile())
                .start();
        nginx.awaitPort(httpPort, log);
        nginx.awaitPort(httpsPort, log);
        return nginx;
    }

    /** What a JVM needs to trust this server's certificate, as any application is configured. */
    List<String> trustOptions() {
        return List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=" + TRUST_PASSWORD,
                "-Djavax.net.ssl.trustStoreType=PKCS12");
    }
}
