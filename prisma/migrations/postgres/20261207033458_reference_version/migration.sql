-- CreateTable
CREATE TABLE "ReferenceVersion" (
    "id" INTEGER NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ReferenceVersion_pkey" PRIMARY KEY ("id")
);

-- The one row, and its bump by every change of reference data (in the writing transaction;
-- once per statement: an import that writes many rows bumps it once per statement).
INSERT INTO "ReferenceVersion" ("id", "version") VALUES (1, 0);

-- The body's semicolons are written \073 (octal, in an E'' string): Prisma's migration
-- runner splits a script at every semicolon, dollar quotes or not.
CREATE FUNCTION "bump_reference_version"() RETURNS trigger LANGUAGE plpgsql AS
    E'BEGIN UPDATE "ReferenceVersion" SET "version" = "version" + 1 WHERE "id" = 1\073 RETURN NULL\073 END';

CREATE TRIGGER "Region_reference_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Region"
    FOR EACH STATEMENT EXECUTE FUNCTION "bump_reference_version"();

CREATE TRIGGER "Category_reference_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Category"
    FOR EACH STATEMENT EXECUTE FUNCTION "bump_reference_version"();

CREATE TRIGGER "Department_reference_version" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Department"
    FOR EACH STATEMENT EXECUTE FUNCTION "bump_reference_version"();
