/*
 * Real Spark Streaming 3.5.7 running the scenarios of test/spark/scenarios.ts
 * on a ManualClock (spark.streaming.clock, as Spark's own test suites do),
 * one batch at a time, so that every batch's output can be compared with
 * sluice's batch for batch (test/spark/spark-parity.test.ts).
 *
 * Input (a file per scenario): one record per line, "<batch index>\t<record>";
 * batch i is the batch at time (i + 1) × 1000 ms.
 * A record is a line of words, or "<key> <integer>" for the keyed scenarios
 * (a leading "L " or "R " picks the side of a join).
 *
 * Output, one line per element, then one line per scenario once it is done:
 *
 *   OUT <scenario>/<output> <batch time ms> <element as JSON>
 *   DONE <scenario>
 *
 * Tuples are JSON arrays, Optional.empty() is null, and grouped values are
 * sorted by their JSON text, as the sluice side writes them.
 *
 * Usage: SparkScenarios BATCHES CHECKPOINT_DIR SCENARIO=INPUT...
 */
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.spark.HashPartitioner;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.Optional;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.api.java.function.Function3;
import org.apache.spark.rdd.RDD;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.State;
import org.apache.spark.streaming.StateSpec;
import org.apache.spark.streaming.StreamingContext;
import org.apache.spark.streaming.Time;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaMapWithStateDStream;
import org.apache.spark.streaming.api.java.JavaPairDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.dstream.InputDStream;
import org.apache.spark.streaming.scheduler.StreamingListener;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchCompleted;
import org.apache.spark.util.ManualClock;

import scala.Option;
import scala.Tuple2;
import scala.reflect.ClassTag$;

public final class SparkScenarios {
  private static final long BATCH_MS = 1000;

  /** Batch i of `batches` at time zero + (i + 1) × batch interval, as Spark's TestInputStream. */
  static final class ScriptedInput extends InputDStream<String> {
    private static final long serialVersionUID = 1L;
    private final ArrayList<ArrayList<String>> batches;

    ScriptedInput(StreamingContext ssc, ArrayList<ArrayList<String>> batches) {
      super(ssc, ClassTag$.MODULE$.apply(String.class));
      this.batches = batches;
    }

    @Override
    public void start() {}

    @Override
    public void stop() {}

    @Override
    public Option<RDD<String>> compute(Time validTime) {
      int index = (int) ((validTime.milliseconds() - zeroTime().milliseconds()) / slideDuration().milliseconds()) - 1;
      List<String> records = index >= 0 && index < batches.size() ? batches.get(index) : Collections.<String>emptyList();
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(ssc().sparkContext());
      return Option.apply(sc.parallelize(records, 2).rdd());
    }
  }

  static String json(Object value) {
    if (value == null) return "null";
    if (value instanceof String) {
      StringBuilder out = new StringBuilder("\"");
      for (char c : ((String) value).toCharArray()) {
        if (c == '"' || c == '\\') out.append('\\').append(c);
        else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
        else out.append(c);
      }
      return out.append('"').toString();
    }
    if (value instanceof Tuple2) {
      Tuple2<?, ?> pair = (Tuple2<?, ?>) value;
      return "[" + json(pair._1()) + "," + json(pair._2()) + "]";
    }
    if (value instanceof Optional) {
      Optional<?> optional = (Optional<?>) value;
      return optional.isPresent() ? json(optional.get()) : "null";
    }
    if (value instanceof Iterable) {
      List<String> items = new ArrayList<>();
      for (Object item : (Iterable<?>) value) items.add(json(item));
      Collections.sort(items);
      return "[" + String.join(",", items) + "]";
    }
    return String.valueOf(value);
  }

  static synchronized void emit(String output, Time time, List<?> elements) {
    for (Object element : elements) System.out.println("OUT " + output + " " + time.milliseconds() + " " + json(element));
  }

  static <T> void collect(String output, JavaDStream<T> stream) {
    stream.foreachRDD((rdd, time) -> emit(output, time, rdd.collect()));
  }

  static <K, V> void collect(String output, JavaPairDStream<K, V> stream) {
    stream.foreachRDD((rdd, time) -> emit(output, time, rdd.collect()));
  }

  /** "key n" records (of one side, for the joins) as (key, n). */
  static JavaPairDStream<String, Integer> keyed(JavaDStream<String> lines, String side) {
    return lines
        .filter(line -> side.isEmpty() ? !line.startsWith("L ") && !line.startsWith("R ") : line.startsWith(side + " "))
        .mapToPair(line -> {
          String[] fields = (side.isEmpty() ? line : line.substring(2)).split(" ");
          return new Tuple2<>(fields[0], Integer.parseInt(fields[1]));
        });
  }

  static void define(String scenario, JavaDStream<String> lines, JavaSparkContext sc) {
    JavaPairDStream<String, Integer> pairs = keyed(lines, "");
    Function2<Integer, Integer, Integer> plus = (a, b) -> a + b;
    Function2<Integer, Integer, Integer> minus = (a, b) -> a - b;
    switch (scenario) {
      case "wordCount":
        collect(scenario, lines.flatMap(line -> Arrays.asList(line.split("\\s+")).iterator()).filter(w -> !w.isEmpty())
            .mapToPair(w -> new Tuple2<>(w, 1)).reduceByKey(plus));
        break;
      case "reduceByKeyAndWindow":
        collect(scenario + "/3s", pairs.reduceByKeyAndWindow(plus, Durations.seconds(3)));
        collect(scenario + "/4s-2s", pairs.reduceByKeyAndWindow(plus, Durations.seconds(4), Durations.seconds(2)));
        collect(scenario + "/inverse-4s-2s", pairs.reduceByKeyAndWindow(plus, minus, Durations.seconds(4), Durations.seconds(2)));
        collect(scenario + "/inverse-3s-filter", pairs.reduceByKeyAndWindow(plus, minus, Durations.seconds(3), Durations.seconds(1), 2, kv -> kv._2() != 0));
        break;
      case "windows":
        collect(scenario + "/window-3s-2s", pairs.window(Durations.seconds(3), Durations.seconds(2)));
        collect(scenario + "/countByWindow-3s", pairs.countByWindow(Durations.seconds(3), Durations.seconds(1)));
        collect(scenario + "/reduceByWindow-3s-2s", pairs.map(kv -> kv._2()).reduceByWindow(plus, Durations.seconds(3), Durations.seconds(2)));
        collect(scenario + "/reduceByWindow-inverse-4s", pairs.map(kv -> kv._2()).reduceByWindow(plus, minus, Durations.seconds(4), Durations.seconds(1)));
        collect(scenario + "/countByValueAndWindow-3s", pairs.map(kv -> kv._1()).countByValueAndWindow(Durations.seconds(3), Durations.seconds(1)));
        collect(scenario + "/groupByKeyAndWindow-2s", pairs.groupByKeyAndWindow(Durations.seconds(2), Durations.seconds(1)));
        // Slides longer than the window leave batches out.
        collect(scenario + "/window-1s-3s", pairs.window(Durations.seconds(1), Durations.seconds(3)));
        collect(scenario + "/reduceByKeyAndWindow-2s-3s", pairs.reduceByKeyAndWindow(plus, Durations.seconds(2), Durations.seconds(3)));
        collect(scenario + "/countByValueAndWindow-2s-2s", pairs.map(kv -> kv._1()).countByValueAndWindow(Durations.seconds(2), Durations.seconds(2)));
        break;
      case "updateStateByKey":
        collect(scenario, pairs.updateStateByKey((List<Integer> values, Optional<Integer> state) -> {
          int total = state.isPresent() ? state.get() : 0;
          for (int v : values) total += v;
          // Keys whose total passes 6 are dropped (Spark's None), and come back with their next values.
          return total > 6 ? Optional.<Integer>empty() : Optional.of(total);
        }));
        break;
      case "mapWithState":
      case "mapWithStateScan3s": {
        Function3<String, Optional<Integer>, State<Integer>, Tuple2<String, String>> running = (key, value, state) -> {
          if (state.isTimingOut()) return new Tuple2<>(key, "timeout " + state.get());
          if (value.isPresent() && value.get() < 0) {
            if (state.exists()) state.remove();
            return new Tuple2<>(key, "removed");
          }
          int total = (state.exists() ? state.get() : 0) + (value.isPresent() ? value.get() : 0);
          state.update(total);
          return new Tuple2<>(key, String.valueOf(total));
        };
        JavaMapWithStateDStream<String, Integer, Integer, Tuple2<String, String>> mapped =
            pairs.mapWithState(StateSpec.function(running).timeout(Durations.seconds(2)));
        if (scenario.equals("mapWithStateScan3s")) mapped.checkpoint(Durations.seconds(3));
        collect(scenario + "/mapped", mapped);
        collect(scenario + "/snapshots", mapped.stateSnapshots());
        break;
      }
      case "initialState": {
        collect(scenario + "/updateStateByKey", pairs.updateStateByKey((List<Integer> values, Optional<Integer> state) -> {
          int total = state.orElse(0);
          for (int v : values) total += v;
          return total > 9 ? Optional.<Integer>empty() : Optional.of(total);
        }, new HashPartitioner(2), sc.parallelizePairs(Arrays.asList(new Tuple2<>("a", 3), new Tuple2<>("z", 1)))));
        Function3<String, Optional<Integer>, State<Integer>, Tuple2<String, String>> counting = (key, value, state) -> {
          if (state.isTimingOut()) return new Tuple2<>(key, "timeout " + state.get());
          state.update(state.getOption().getOrElse(() -> 0) + value.orElse(0));
          return new Tuple2<>(key, String.valueOf(state.get()));
        };
        JavaMapWithStateDStream<String, Integer, Integer, Tuple2<String, String>> mapped = pairs.mapWithState(
            StateSpec.function(counting).initialState(sc.parallelizePairs(Arrays.asList(new Tuple2<>("a", 10), new Tuple2<>("y", 2)))).timeout(Durations.seconds(3)));
        mapped.checkpoint(Durations.seconds(2));
        collect(scenario + "/mapWithState", mapped);
        collect(scenario + "/mapWithState-snapshots", mapped.stateSnapshots());
        break;
      }
      case "joins": {
        JavaPairDStream<String, Integer> left = keyed(lines, "L");
        JavaPairDStream<String, Integer> right = keyed(lines, "R");
        collect(scenario + "/join", left.join(right));
        collect(scenario + "/leftOuterJoin", left.leftOuterJoin(right));
        collect(scenario + "/rightOuterJoin", left.rightOuterJoin(right));
        collect(scenario + "/fullOuterJoin", left.fullOuterJoin(right));
        collect(scenario + "/cogroup", left.cogroup(right));
        collect(scenario + "/union-countByValue", left.union(right).map(kv -> kv._1()).countByValue());
        break;
      }
      case "orders": {
        // The seed's per-province order totals: orderId,provinceId,orderPrice; lines with fewer fields are dropped.
        JavaPairDStream<Integer, Double> orders = lines.filter(line -> line.trim().split(",").length >= 3).mapToPair(line -> {
          String[] fields = line.split(",");
          return new Tuple2<>(Integer.parseInt(fields[1]), Double.parseDouble(fields[2]));
        });
        Function2<Double, Double, Double> add = (a, b) -> a + b;
        collect(scenario + "/totals", orders.reduceByKey(add));
        collect(scenario + "/running", orders.updateStateByKey((List<Double> values, Optional<Double> state) -> {
          double total = state.orElse(0.0);
          for (double v : values) total += v;
          return Optional.of(total);
        }));
        collect(scenario + "/window-inverse-3s", orders.reduceByKeyAndWindow(add, (a, b) -> a - b, Durations.seconds(3), Durations.seconds(1)));
        break;
      }
      case "operators": {
        collect(scenario + "/count", pairs.count());
        collect(scenario + "/reduce", pairs.map(kv -> kv._2()).reduce(plus));
        collect(scenario + "/countByValue", pairs.map(kv -> kv._1()).countByValue());
        collect(scenario + "/groupByKey", pairs.groupByKey());
        collect(scenario + "/mapValues-flatMapValues", pairs.mapValues(v -> v * 10).flatMapValues(v -> Arrays.asList(v, v + 1).iterator()));
        collect(scenario + "/transform", pairs.transform(rdd -> rdd.filter(kv -> kv._2() % 2 == 0).map(kv -> kv._1() + kv._2())));
        collect(scenario + "/repartition-union", pairs.repartition(3).union(pairs.filter(kv -> kv._2() > 2)).reduceByKey(plus));
        collect(scenario + "/window-of-window", pairs.window(Durations.seconds(2)).window(Durations.seconds(4), Durations.seconds(2)).reduceByKey(plus));
        break;
      }
      default:
        throw new IllegalArgumentException("unknown scenario " + scenario);
    }
  }

  static ArrayList<ArrayList<String>> readInput(String path, int batches) throws IOException {
    ArrayList<ArrayList<String>> input = new ArrayList<>();
    for (int i = 0; i < batches; i++) input.add(new ArrayList<>());
    for (String line : Files.readAllLines(Paths.get(path), StandardCharsets.UTF_8)) {
      if (line.isEmpty()) continue;
      int tab = line.indexOf('\t');
      input.get(Integer.parseInt(line.substring(0, tab))).add(line.substring(tab + 1));
    }
    return input;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("Usage: SparkScenarios BATCHES CHECKPOINT_DIR SCENARIO=INPUT...");
      System.exit(2);
    }
    int batches = Integer.parseInt(args[0]);
    SparkConf conf = new SparkConf()
        .setMaster("local[2]")
        .setAppName("SparkScenarios")
        .set("spark.ui.enabled", "false")
        .set("spark.streaming.clock", "org.apache.spark.util.ManualClock");
    JavaSparkContext sc = new JavaSparkContext(conf);
    sc.setLogLevel("ERROR");
    for (String run : Arrays.copyOfRange(args, 2, args.length)) {
      String scenario = run.substring(0, run.indexOf('='));
      ArrayList<ArrayList<String>> input = readInput(run.substring(run.indexOf('=') + 1), batches);
      JavaStreamingContext ssc = new JavaStreamingContext(sc, Durations.milliseconds(BATCH_MS));
      ssc.checkpoint(Paths.get(args[1], scenario).toString());
      AtomicLong completed = new AtomicLong();
      ssc.addStreamingListener(new StreamingListener() {
        @Override
        public void onBatchCompleted(StreamingListenerBatchCompleted batch) {
          completed.set(batch.batchInfo().batchTime().milliseconds());
        }
      });
      define(scenario, new JavaDStream<>(new ScriptedInput(ssc.ssc(), input), ClassTag$.MODULE$.<String>apply(String.class)), sc);
      ssc.start();
      ManualClock clock = (ManualClock) ssc.ssc().scheduler().clock();
      for (int i = 1; i <= batches; i++) {
        clock.advance(BATCH_MS);
        long deadline = System.currentTimeMillis() + 60_000;
        while (completed.get() < i * BATCH_MS) {
          if (System.currentTimeMillis() > deadline) throw new IllegalStateException(scenario + ": batch " + i + " did not complete within 60 s");
          Thread.sleep(2);
        }
      }
      ssc.stop(false, false);
      System.out.println("DONE " + scenario);
    }
    sc.stop();
  }
}
