package io.connectx.samples;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * An ordinary JDBC application: COUNT fresh connections, each running one query. A database server
 * speaks first (its greeting), so the client reads before it writes. Usage: {@code JdbcQueryApp URL COUNT}.
 * It knows nothing of connectx.
 */
public final class JdbcQueryApp {
    private JdbcQueryApp() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[1]);
        for (int i = 1; i <= count; i++) {
            long start = System.nanoTime();
            try (Connection connection = DriverManager.getConnection(args[0]);
                    Statement statement = connection.createStatement();
                    ResultSet result = statement.executeQuery("SELECT " + i + " + 1")) {
                result.next();
                System.out.println("query " + i + " result=" + result.getInt(1)
                        + " elapsed-ms=" + (System.nanoTime() - start) / 1_000_000);
            }
        }
    }
}
