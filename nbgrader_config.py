"""nbgrader configuration for the backprop_nb exercises: copy this file into your nbgrader course.

The sources are ``notebooks/solutions/NN_name_solutions.ipynb``: copy one to
``source/<assignment>/NN_name.ipynb`` in the course, then ``nbgrader generate_assignment <assignment>``
releases what ``tools/make_student_notebooks.py`` writes as ``notebooks/NN_name.ipynb``:

* each answer region becomes ``# YOUR CODE HERE`` alone (nbgrader's default stub also adds
  ``raise NotImplementedError()``, which would stop the cell before the checker says what to
  fill in);
* cells tagged ``solution-note`` (worked explanations, the "solutions copy" line) are removed.

Links to other notebooks keep the ``../`` they have in ``notebooks/solutions/``: lay the course
out so that they resolve, or expect them to point one folder up.
"""

from nbconvert.preprocessors import TagRemovePreprocessor
from nbgrader.converters import GenerateAssignment

c = get_config()  # noqa: F821 (nbgrader defines it when it reads this file)

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

c.TagRemovePreprocessor.enabled = True
c.TagRemovePreprocessor.remove_cell_tags = {"solution-note"}
c.GenerateAssignment.preprocessors = [TagRemovePreprocessor, *GenerateAssignment.preprocessors.default()]
