"""The live class: a teacher asks one question of a step to the whole class, every student
answers, the teacher sees the answers gathered. ``store`` owns the database, ``live`` turns
its records into what the pages show, ``views`` draws the two pages."""
