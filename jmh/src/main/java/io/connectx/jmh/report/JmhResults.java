package io.connectx.jmh.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One JMH result file ({@code -rf json}): benchmark name, threads, score, error, unit, B/op when profiled, each
 * iteration's score (all forks, sorted) and the JDK it ran on.
 */
final class JmhResults {
    record Result(String method, int threads, double score, double error, String unit, Double bytesPerOp,
            double[] iterations, String jdkVersion) {
    }

    private JmhResults() {
    }

    static List<Result> read(Path json) throws IOException {
        List<Result> results = new ArrayList<>();
        if (!Files.exists(json)) {
            return results;
        }
        JsonArray array = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
        for (JsonElement element : array) {
            JsonObject run = element.getAsJsonObject();
            String benchmark = run.get("benchmark").getAsString();
            JsonObject primary = run.getAsJsonObject("primaryMetric");
            Double bytes = null;
            JsonObject secondary = run.getAsJsonObject("secondaryMetrics");
            // JMH 1.37 names it "gc.alloc.rate.norm"; older versions prefixed a middle dot.
            for (String name : new String[] {"gc.alloc.rate.norm", "\u00b7gc.alloc.rate.norm"}) {
                if (secondary != null && secondary.has(name)) {
                    bytes = secondary.getAsJsonObject(name).get("score").getAsDouble();
                }
            }
            double error = primary.get("scoreError").isJsonPrimitive() && primary.get("scoreError").getAsJsonPrimitive().isNumber()
                ? primary.get("scoreError").getAsDouble() : Double.NaN;
            List<Double> iterations = new ArrayList<>();
            if (primary.has("rawData")) {
                for (JsonElement fork : primary.getAsJsonArray("rawData")) {
                    fork.getAsJsonArray().forEach(score -> iterations.add(score.getAsDouble()));
                }
            }
            double[] sorted = iterations.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            results.add(new Result(benchmark.substring(benchmark.lastIndexOf('.') + 1), run.get("threads").getAsInt(),
                primary.get("score").getAsDouble(), error, primary.get("scoreUnit").getAsString(), bytes, sorted,
                run.has("jdkVersion") ? run.get("jdkVersion").getAsString() : "unknown"));
        }
        return results;
    }

    static Result find(List<Result> results, String method) {
        return results.stream().filter(r -> r.method().equals(method)).findFirst().orElse(null);
    }
}
