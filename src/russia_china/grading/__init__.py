"""Grade a class's exercise notebooks: `russia-china grade SUBMISSIONS`.

The trust boundary: a student's code runs only inside the sandbox (`sandbox`),
where the runner executes the notebook and check() merely records each answer
as plain data. Outside it, the answers are read as untrusted data, validated,
and judged by a separate process in which no student code ever ran (`judge`),
with the public checks and the hidden tests from solutions/.

Modules: plan (what to grade, from solutions/), submissions (who submitted
what, and what was skipped), sandbox (the OS boundary), returned (what comes
back from it, validated), judge (public checks and hidden tests on plain
answers), gradebook (CSV and feedback files), grader (runs the class in
parallel).
"""
