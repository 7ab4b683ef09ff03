package io.connectx.agent.cli;

import io.connectx.agent.Setting;
import java.nio.file.Path;
import java.util.Arrays;

/** {@code java -jar connectx-agent.jar help | version | doctor [HOST:PORT] | attach PID [ARGS|detach]}. */
public final class ConnectxMain {
    private ConnectxMain() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        int status = switch (command) {
            case "help", "--help", "-h" -> help();
            case "version", "--version" -> VersionCommand.run(System.out);
            case "doctor" -> new Doctor(System.out).run(rest.length > 0 ? rest[0] : null);
            case "attach" -> Attach.run(rest, agentJar());
            default -> {
                System.err.println("connectx: unknown command '" + command + "': expected help, version, doctor or attach");
                help();
                yield 2;
            }
        };
        System.exit(status);
    }

    static Path agentJar() throws Exception {
        return Path.of(ConnectxMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static void printSettings(boolean forTests) {
        for (Setting s : Setting.values()) {
            if (s.forTests() == forTests) {
                System.out.printf("  %-15s default %-14s %s%n", s.key(), s.defaultValue(), s.meaning());
                System.out.printf("  %-15s as -D%s=... or %s=...%n", "", s.propertyName(), s.envName());
            }
        }
    }

    private static int help() {
        System.out.println("""
                connectx: TCP Fast Open for the JVM

                usage:
                  java -javaagent:connectx-agent.jar[=KEY=VALUE;KEY=VALUE...] -jar app.jar
                  java -jar connectx-agent.jar doctor [HOST:PORT]      check this host (and a peer) for Fast Open
                  java -jar connectx-agent.jar attach PID [KEY=VALUE;...] load the agent into a running JVM
                  java -jar connectx-agent.jar attach PID detach       switch it off again in that JVM
                  java -jar connectx-agent.jar version                 the version, the JDK and the platform path
                  java -jar connectx-agent.jar help                    this text

                settings (first found wins: agent argument, then -Dconnectx.KEY, then CONNECTX_KEY):""");
        printSettings(false);
        System.out.println("\ntest settings (never for production: they run one OS's path on another):");
        printSettings(true);
        System.out.println("""

                proof: nstat -az | grep FastOpen; the MBean io.connectx:type=FastOpen; summary=true

                test settings (system properties, for testing connectx itself):
                  -Dconnectx.test.natives=jna   the Linux connect path uses JNA instead of the JDK's own natives""");
        return 0;
    }
}
