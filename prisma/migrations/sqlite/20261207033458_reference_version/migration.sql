-- CreateTable
CREATE TABLE "ReferenceVersion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "version" INTEGER NOT NULL DEFAULT 0
);

-- The one row, and its bump by every change of reference data (in the writing transaction).
INSERT INTO "ReferenceVersion" ("id", "version") VALUES (1, 0);

CREATE TRIGGER "Region_insert_reference_version" AFTER INSERT ON "Region"
BEGIN UPDATE "ReferenceVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;

CREATE TRIGGER "Region_update_reference_version" AFTER UPDATE ON "Region"
BEGIN UPDATE "ReferenceVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;

CREATE TRIGGER "Region_delete_reference_version" AFTER DELETE ON "Region"
BEGIN UPDATE "ReferenceVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;

CREATE TRIGGER "Category_insert_reference_version" AFTER INSERT ON "Category"
BEGIN UPDATE "ReferenceVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;

CREATE TRIGGER "Category_update_reference_version" AFTER UPDATE ON "Category"
BEGIN UPDATE "ReferenceVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;

CREATE TRIGGER "Category_delete_reference_version" AFTER DELETE ON "Category"
BEGIN UPDATE "ReferenceVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;

CREATE TRIGGER "Department_insert_reference_version" AFTER INSERT ON "Department"
BEGIN UPDATE "ReferenceVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;

CREATE TRIGGER "Department_update_reference_version" AFTER UPDATE ON "Department"
BEGIN UPDATE "ReferenceVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;

CREATE TRIGGER "Department_delete_reference_version" AFTER DELETE ON "Department"
BEGIN UPDATE "ReferenceVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
