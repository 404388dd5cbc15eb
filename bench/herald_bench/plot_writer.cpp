#include "bench/herald_bench/plot_writer.hpp"

#include <fstream>
#include <sstream>

#include <spawn.h>
#include <sys/wait.h>

#include "bench/herald_bench/h2load_runner.hpp"

extern char** environ;

namespace herald::bench {

namespace {

constexpr const char* pngs[] = {"throughput.png", "latency.png", "rss.png"};

/// The gnuplot program drawing the three PNGs from series.tsv in the current directory.
std::string gnuplot_script(const std::string& title) {
  std::string safe;
  for (char c : title) {
    safe += c == '"' || c == '\\' ? '\'' : c;
  }
  std::ostringstream gp;
  gp << "set terminal png size 1000,500\n"
     << "set datafile separator \"\\t\"\n"
     << "set key autotitle columnhead outside bottom horizontal\n"
     << "set grid\nset xlabel \"seconds since the first send\"\n"
     << "set output \"throughput.png\"\n"
     << "set title \"" << safe << ": throughput\"\nset ylabel \"per second\"\n"
     << "plot \"series.tsv\" using 1:2 with lines lw 2, '' using 1:3 with lines lw 2, "
        "'' using 1:4 with lines lw 2\n"
     << "set output \"latency.png\"\n"
     << "set title \"" << safe << ": latency\"\nset ylabel \"ms\"\nset logscale y\n"
     << "plot \"series.tsv\" using 1:($5>0?$5:NaN) with lines lw 2, "
        "'' using 1:($6>0?$6:NaN) with lines lw 2, '' using 1:($7>0?$7:NaN) with lines lw 2, "
        "'' using 1:($8>0?$8:NaN) with lines lw 2\n"
     << "unset logscale y\n"
     << "set output \"rss.png\"\n"
     << "set title \"" << safe << ": Herald RSS and CPU\"\nset ylabel \"MB\"\n"
     << "set y2label \"CPU %\"\nset y2tics\nset yrange [0:*]\nset y2range [0:*]\n"
     << "plot \"series.tsv\" using 1:($9>0?$9:NaN) with lines lw 2 axes x1y1, "
        "'' using 1:($9>0?$10:NaN) with lines lw 1 axes x1y2\n";
  return gp.str();
}

} // namespace

std::optional<std::filesystem::path> find_gnuplot() {
  return find_program("gnuplot");
}

std::pair<std::vector<std::string>, std::string>
write_plots(const std::filesystem::path& dir, const std::vector<series_point>& series,
            const std::string& title) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return {{}, "cannot create --plot directory " + dir.string() + ": " + ec.message()};
  }
  {
    std::ofstream tsv(dir / "series.tsv");
    tsv << "t_s\tacked/s\trefused/s\tpushes/s\tack p50\tack p99\te2e p50\te2e p99\trss MB\t"
           "cpu %\n";
    for (const auto& p : series) {
      tsv << p.t_s << '\t' << p.acked << '\t' << p.refused << '\t' << p.pushes << '\t'
          << p.ack_p50_ms << '\t' << p.ack_p99_ms << '\t' << p.e2e_p50_ms << '\t' << p.e2e_p99_ms
          << '\t' << p.rss_mb << '\t' << p.cpu_percent << '\n';
    }
    std::ofstream(dir / "plots.gp") << gnuplot_script(title);
    if (!tsv) {
      return {{}, "cannot write " + (dir / "series.tsv").string()};
    }
  }
  auto gnuplot = find_gnuplot();
  if (!gnuplot) {
    return {{},
            "gnuplot is not on PATH (Debian: apt-get install gnuplot-nox); wrote series.tsv and "
            "plots.gp to " +
                dir.string() + " only"};
  }
  // gnuplot reads series.tsv and writes the PNGs relative to its working directory.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  std::string program = gnuplot->string(), script = "plots.gp";
  char* argv[] = {program.data(), script.data(), nullptr};
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    return {{}, "cannot run " + program};
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return {{}, "gnuplot failed on " + (dir / "plots.gp").string()};
  }
  std::vector<std::string> written;
  for (const char* png : pngs) {
    if (std::filesystem::exists(dir / png, ec)) {
      written.emplace_back(png);
    }
  }
  return {written, {}};
}

} // namespace herald::bench
